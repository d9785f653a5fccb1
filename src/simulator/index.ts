export { startSimulator, DEFAULT_CREDENTIALS, type Simulator, type SimulatorOptions } from './server';
export { type Counters } from './counters';
export { type Clock } from './clock';
