"""The pure checks, one module per rule family: quotes (Q1xx), metadata (M2xx), references (R4xx)."""
