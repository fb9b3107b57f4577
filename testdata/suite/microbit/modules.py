# The modules the micro:bit firmware has, and its board-specific ones.
import microbit, music, random
random.seed(7)
a = [random.randint(0, 9) for _ in range(5)]
random.seed(7)
print(a == [random.randint(0, 9) for _ in range(5)])
print(type(microbit.display), type(microbit.pin0))
print(len(music.NYAN) > 10, music.NYAN[0])
