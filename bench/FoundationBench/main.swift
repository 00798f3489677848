print("foundation-bench: not built yet")
