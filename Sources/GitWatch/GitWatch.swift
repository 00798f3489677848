// GitWatch: the bare mirror of the watched repository (libgit2).
