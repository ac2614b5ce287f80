"""Solutions to notebook 07's exercises. Try each one first: its checker tells you where you stand."""

#: exercise number -> (the name the answer defines, the checker in lstm_lessons.checks that proves it)
EXERCISES: dict = {}
