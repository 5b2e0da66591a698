export { createSimulator } from './server.js';
export type { BreakDetails, Fault, FaultMatch, RecordedRequest, Simulator, SimulatorOptions } from './types.js';
