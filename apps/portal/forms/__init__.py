"""Portal forms, one module per area: ``accounts`` and ``wallet``. Forms parse and shape input;
every rule with meaning is checked by a service."""
