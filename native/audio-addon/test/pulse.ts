export { hasPulseTools, paplay, startPulse, type PulseServer } from '../bench/pulseServer.js';
