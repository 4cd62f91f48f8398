"""Data files shipped in the wheel (the action catalogue, the policy grammar schema)."""
