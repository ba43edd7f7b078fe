"""Processing activities: an app or process whose shared facts its vendor reviews inherit."""
