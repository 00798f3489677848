print("store-torture: not built yet")
