print("re")
