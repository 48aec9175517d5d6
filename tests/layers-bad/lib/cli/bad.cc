// A fixture: a front end may not include a private header.
#include "plan/ruleset_data.h"
