/* Memory read bandwidth of this machine, for BENCHMARKS.md: how close a
 * generated token (which reads every weight once) comes to the limit.
 *
 *   gcc -O2 -mavx512f -fopenmp bench/bandwidth.c -o /tmp/bw && OMP_NUM_THREADS=2 /tmp/bw
 *
 * Sums 1 GiB of floats with four independent AVX-512 accumulators per
 * thread (so the loop waits on memory, not on additions), seven passes,
 * and prints the best pass's bytes per second. */
#include <stdio.h>
#include <stdlib.h>
#include <omp.h>
#include <immintrin.h>
int main(){ size_t n = (size_t)1<<28; float *a = aligned_alloc(64, n*4);
 #pragma omp parallel for
 for(size_t i=0;i<n;i++) a[i]=1.0f;
 double best=1e9; float total=0;
 for(int r=0;r<7;r++){ double t=omp_get_wtime(); float s=0;
  #pragma omp parallel reduction(+:s)
  { __m512 v0=_mm512_setzero_ps(),v1=v0,v2=v0,v3=v0;
    #pragma omp for
    for(size_t i=0;i<n;i+=64){ v0=_mm512_add_ps(v0,_mm512_load_ps(a+i)); v1=_mm512_add_ps(v1,_mm512_load_ps(a+i+16)); v2=_mm512_add_ps(v2,_mm512_load_ps(a+i+32)); v3=_mm512_add_ps(v3,_mm512_load_ps(a+i+48)); }
    s+=_mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(v0,v1),_mm512_add_ps(v2,v3))); }
  t=omp_get_wtime()-t; if(t<best)best=t; total+=s; }
 printf("read bandwidth, %d threads: %.1f GB/s (%.0f)\n", omp_get_max_threads(), n*4/best/1e9, total);
}
