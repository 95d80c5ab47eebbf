"""Input and output shapes of the messaging API, by concern: ``fields`` (people, files, choice
sets, lenient text), ``messages`` (the original API), ``threads`` and ``tasks`` (tasks and
notifications). Parsing only: every rule is a service."""
