"""Short names of the ONS lookup services (no imports: ``sia fetch --help`` lists them at start-up)."""

#: Short names for lookups that audits use; any other service name can be passed as it is.
LOOKUPS: dict[str, str] = {
    "lad23-itl21": "LAD23_LAU121_ITL321_ITL221_ITL121_UK_LU",
    "lad23-cauth23": "LAD23_CAUTH23_EN_LU",
    "lad24-cauth24": "LAD24_CAUTH24_EN_LU",
    "lad25-cauth25": "LAD25_CAUTH25_EN_LU",
    "lad20-lep20": "LAD20_LEP20_EN_LU",
    "lad21-lep21": "LAD21_LEP21_EN_LU",
}
