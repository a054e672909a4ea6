// The node flags the services run with: in `npm start`, in the images (Dockerfile CMD), in the
// entry files' shebangs and wherever the benchmarks start a service, so that what is measured
// is what runs. A test checks that every one of those places carries them.
//
// --no-memory-reducer: after a quiet spell (8 s without much allocation) V8's memory reducer
// shrinks the heap and then lets it grow only slowly. When pushes arrive again, the in-flight
// requests fill that small heap in a fraction of a second: the collector ran ~9 mark-compacts a
// second for as long as the load lasted (instead of ~1 every 2 s) and spent 1.1 µs per sample
// instead of 0.6 (docs/scaling.md). The cost is an idle heap that stays at its high-water mark.
const SERVICE_NODE_FLAGS = ['--no-memory-reducer'];

module.exports = { SERVICE_NODE_FLAGS };
