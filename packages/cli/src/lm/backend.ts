import { initBackend, type Kernels } from '@recurrent/core';

/**
 * Activates the fastest kernel backend available here (`RECURRENT_BACKEND` overrides). If the fast
 * backends cannot start, the plain TypeScript kernels are used, which are slower but identical in meaning.
 */
export async function useFastestBackend(): Promise<Kernels> {
  try {
    return await initBackend();
  } catch (err) {
    if (process.env.RECURRENT_BACKEND) throw err;
    return initBackend({ backend: 'js' });
  }
}
