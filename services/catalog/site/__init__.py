"""The public catalog website (danh mục sản phẩm OCOP) and the product feeds marketplaces
import: what its pages show, and the RSS, CSV and TSV feeds and the sitemap."""
