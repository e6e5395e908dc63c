"""Models of this app; every tenant-owned model derives from wpl.tenancy.TenantModel."""
