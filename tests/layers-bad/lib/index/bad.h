// A fixture: the index reaching up into score breaks the pipeline.
#include "score/scorer.h"
