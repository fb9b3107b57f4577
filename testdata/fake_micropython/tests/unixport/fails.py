print("this is not what the .exp says")
