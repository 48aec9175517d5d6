// A fixture: scoring may use the index.
#include "index/bad.h"
