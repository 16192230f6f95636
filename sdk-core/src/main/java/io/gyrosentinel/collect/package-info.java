/** Custom collectors: write blocks, gaps, results and events anywhere. */
package io.gyrosentinel.collect;
