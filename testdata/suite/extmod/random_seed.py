import random
random.seed(1)
print(0 <= random.random() < 1)
