"""The scenario studio: scenarios edited in the browser, stored as the YAML files they are."""
