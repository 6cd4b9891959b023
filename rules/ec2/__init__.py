"""EC2 rules: instances, launch templates and launch configurations."""
