print("spur")
