"""Labels (tem truy xuất): a product's QR label artwork, and the label sheets of a batch's
serialised unit codes (mã định danh từng sản phẩm) drawn as print-ready PDFs."""
