"""Service requests on the site: intake, what each person sees of them, and the actions sent to the workflow."""
