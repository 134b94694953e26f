"""The rules of an exercise: commands, events, their fold and who sees what. No I/O."""

# The event schema first: it merges the tables of the workflow modules, which import the core.
from . import events as events
