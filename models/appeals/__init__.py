"""Appeals: the rectification window after a decision is served, finality, and (next) the requests and their rulings."""
