// Entry point of the kernels module (see scripts/build-wasm.ts). Exports only; no state, no allocation:
// all memory is the imported shared memory, managed from JavaScript.
export { gemm_nn_tn, gemm_nt, gemm_packed, gemm_scratch_bytes, lstm_step, pack_b, packed_size } from './gemm';
export { adam_update, add_bias, gru_backward, gru_forward, lstm_backward, lstm_forward, lstm_forward_units, sigmoid_f32, softmax_grad_add, softmax_stats, sum_rows, tanh_f32 } from './cells';
export { simd_peak } from './probe';
