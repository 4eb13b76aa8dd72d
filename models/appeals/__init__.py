"""Appeals: the rectification windows after a decision is served, finality, rectification requests and the
rulings on them."""
