#ifndef KAIZEN_CBLAS_SHIM_H
#define KAIZEN_CBLAS_SHIM_H
#include <cblas.h>
#endif
