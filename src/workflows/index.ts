export { asyncJob } from './async-job';
