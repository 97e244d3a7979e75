"""Crowdfunding campaigns (项目众筹) matched by a fund: 居民筹、组织办、基金配比."""
