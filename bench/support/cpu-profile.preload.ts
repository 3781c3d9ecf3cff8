/**
 * Loaded into a service with NODE_OPTIONS=--require (Node 20 refuses --cpu-prof there): records a
 * V8 CPU profile from start to exit and writes it to BENCH_PROFILE_FILE. Bench-only.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.BENCH_PROFILE_FILE;
if (file) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  // A session in the same thread answers synchronously. The services re-raise SIGTERM after their
  // shutdown (so 'exit' never fires): the profile is written when the signal first arrives, and
  // `once` leaves the re-raised signal to its default action.
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(file, JSON.stringify(result.profile));
    });
  };
  process.once('SIGTERM', write);
  process.on('exit', write);
}
