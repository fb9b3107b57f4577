class A:
    def f(self): return 'A'
class B(A):
    def f(self): return 'B' + super().f()
print(B().f())
