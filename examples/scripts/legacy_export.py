# An export script nobody ported from Python 2.
import csv

print "exporting"
