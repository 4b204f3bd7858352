"""dealradar: alerts chat channels about plant closures and partnerships reported in the news."""

__version__ = "0.1.0"
