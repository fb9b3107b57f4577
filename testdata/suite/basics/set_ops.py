print(sorted({1, 2, 3} & {2, 3, 4}), sorted({1} | {2}))
