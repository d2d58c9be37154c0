"""Resource pages, by use case: stock (the dashboard, warehouses, lots, incident
requests), the catalogue, teams and experts, equipment, readiness per plan, and
workbooks. Thin: the services decide."""
