import heapq
h = [5, 1, 4]
heapq.heapify(h)
print(heapq.heappop(h), h)
