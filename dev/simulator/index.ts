export { startSimulator, DEFAULT_CREDENTIALS, DEFAULT_WEBHOOK_SECRET, type Simulator, type SimulatorOptions } from './server';
export { type Counters } from './counters';
export { type LoadSnapshot, type StyleLoad } from './load';
export { type Clock } from './clock';
