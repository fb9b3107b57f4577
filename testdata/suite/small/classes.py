# Classes: inheritance, super(), class attributes and special methods.
class Shape:
    def __init__(self, name):
        self.name = name
    def area(self):
        return 0
    def __repr__(self):
        return "<%s %d>" % (self.name, self.area())
class Square(Shape):
    def __init__(self, side):
        super().__init__("square")
        self.side = side
    def area(self):
        return self.side * self.side
    sides = 4
    def perimeter(self):
        return self.sides * self.side
shapes = [Shape("dot"), Square(3)]
print(shapes, shapes[1].perimeter(), isinstance(shapes[1], Shape))
