#ifndef KAIZEN_CBLAS_SHIM_H
#define KAIZEN_CBLAS_SHIM_H
#include <cblas.h>
/* LAPACK routines that OpenBLAS ships without a header in Debian's libopenblas-dev. */
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info);
#endif
