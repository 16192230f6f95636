/** JMH benchmarks of the host receive path; run with scripts/bench-core.sh, never as tests. */
package io.gyrosentinel.bench;
