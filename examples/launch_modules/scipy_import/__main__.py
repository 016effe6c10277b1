"""Launch module of the example application layer."""

import scipy

print("scipy", scipy.__version__)
