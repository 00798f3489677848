// Reconciler: rollout state machine, known-good store, pins, leader lock.
