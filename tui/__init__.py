"""The Textual application (screens, widgets, TCSS, the SSH front end).

Depends on ``backend.services`` only; ``backend`` never imports this package.
"""
