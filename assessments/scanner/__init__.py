"""The policy scanner: vendors, data, recipients and cross-border statements in a policy."""

from assessments.scanner.extract import ExtractedText, ExtractionError, extract_text
from assessments.scanner.language import detect_language
from assessments.scanner.lexicon import Lexicon, default_lexicon, load_lexicon
from assessments.scanner.matcher import Matcher, VendorNames, compile_matcher, vendor_names
from assessments.scanner.scanning import diff, scan
from assessments.scanner.types import ScanReport, VendorDiff

__all__ = [
    "ExtractedText",
    "ExtractionError",
    "Lexicon",
    "Matcher",
    "ScanReport",
    "VendorDiff",
    "VendorNames",
    "compile_matcher",
    "default_lexicon",
    "detect_language",
    "diff",
    "extract_text",
    "load_lexicon",
    "scan",
    "vendor_names",
]
