/**
 * The simulated device: {@link io.gyrosentinel.sim.VirtualDevice} speaks the real protocol with a
 * synthetic rotating-machine signal ({@link io.gyrosentinel.sim.MachineModel},
 * {@link io.gyrosentinel.sim.Fault}); the {@code sim:} URI scheme starts one.
 */
package io.gyrosentinel.sim;
