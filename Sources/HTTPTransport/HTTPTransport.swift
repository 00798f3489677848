// The wrapper of this module's C library; see the foundation issue.
